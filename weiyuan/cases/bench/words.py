"""Words the generated cases are composed of: places, brands, people, titles, facts, reasons."""

CITY_WORDS = [
    "北京",
    "上海",
    "广州",
    "深圳",
    "杭州",
    "宁波",
    "温州",
    "义乌",
    "苏州",
    "无锡",
    "南京",
    "合肥",
    "武汉",
    "长沙",
    "成都",
    "重庆",
    "西安",
    "郑州",
    "济南",
    "青岛",
    "厦门",
    "福州",
    "泉州",
    "东莞",
    "佛山",
    "中山",
    "珠海",
    "天津",
    "沈阳",
    "大连",
    "哈尔滨",
    "长春",
    "昆明",
    "南宁",
    "贵阳",
    "南昌",
    "石家庄",
    "太原",
    "兰州",
    "乌鲁木齐",
]
BRAND_WORDS = [a + b for a in "云星海天金银华瑞恒鑫正博远嘉明晨盛泰宏安" for b in "澜河川宇创达锐峰源信德诚邦禾途景"]
INDUSTRY_WORDS = ["科技", "电子", "服饰", "食品", "文具", "五金", "家居", "生物医药", "新材料", "智能装备"]
PERSON_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程"
PERSON_GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "磊",
    "洋",
    "艳",
    "勇",
    "军",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "建华",
    "晓东",
    "海燕",
    "志强",
]
RESPONDENT_SUFFIXES = ["商贸有限公司", "电子商务有限公司", "贸易商行", "科技有限公司", "制品厂", "数码专营店"]
TITLES = [
    "注册商标在电商平台被仿冒",
    "展会展出涉嫌侵犯外观设计专利产品",
    "实用新型专利侵权判定",
    "发明专利被多家企业实施",
    "网店销售假冒注册商标商品",
    "原创作品被印制在商品上销售",
    "地理标志被冒用",
    "集成电路布图设计被复制",
    "商业秘密被离职员工带走",
    "植物新品种权纠纷",
    "海外展会遭遇专利侵权指控",
    "美国337调查应诉指导",
    "商标海外抢注风险预警",
    "专利无效宣告程序应对咨询",
    "短视频被搬运维权咨询",
    "商标连续三年不使用撤销答辩",
]
FACTS = [
    "申请人的注册商标核定使用在相关商品上，近期发现被请求人在网店销售标有近似标识的同类商品，已公证购买取得实物和发票。",
    "申请人的外观设计专利合法有效，被请求人展出的产品与专利整体视觉效果无实质差异，已拍摄现场照片并取得产品目录。",
    "申请人的专利经评价报告确认具备新颖性和创造性，被请求人销售的产品结构与权利要求1的全部技术特征相同。",
    "申请人的作品已办理著作权登记，被请求人未经许可复制并通过直播间销售，已录屏保存证据。",
    "申请人拟开拓海外市场，需要了解目标市场的知识产权布局和风险，请求提供分析预警和应对建议。",
]
REQUESTS = [
    "请求出具侵权判定参考意见。",
    "请求现场处理并责令撤下涉嫌侵权展品。",
    "请求协助向平台投诉并删除侵权链接。",
    "请求提供纠纷解决方案和维权途径指导。",
    "请求提供咨询指导。",
]
IP_WEIGHTED = (
    ["trademark"] * 6
    + ["invention"] * 3
    + ["utility_model"] * 3
    + ["design"] * 4
    + ["copyright", "copyright", "gi", "ic_layout", "trade_secret", "other"]
)
SERVICE_WEIGHTS = {
    "consultation": 30,
    "infringement_opinion": 25,
    "ecommerce_complaint": 15,
    "other": 8,
    "early_warning": 7,
    "exhibition_complaint": 6,
    "overseas_guidance": 5,
    "major_dispute_solution": 4,
}
REJECT_REASONS = [
    "no_evidence",
    "no_respondent",
    "out_of_area",
    "out_of_remit",
    "pending_elsewhere",
    "info_not_supplied",
]
OUTCOMES = ["advice_given", "opinion_issued", "referred", "settled", "not_substantiated", "solution_provided"]
WORKING = ("accepted", "assigned", "in_handling", "concluded", "closed", "reopened")
